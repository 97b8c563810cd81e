import { AppException, ErrorKind } from '../../common/app-exception.js';

export class StaysException extends AppException {
  static notFound(): StaysException {
    return new StaysException(ErrorKind.NotFound, 'no such stay');
  }

  static roomOccupied(roomNumber: string): StaysException {
    return new StaysException(ErrorKind.Conflict, `room ${roomNumber} already has an active stay`);
  }

  static alreadyCheckedOut(): StaysException {
    return new StaysException(ErrorKind.Conflict, 'this stay is already checked out');
  }

  static invalid(messages: string[]): StaysException {
    return new StaysException(ErrorKind.BadRequest, 'Validation failed', { messages });
  }
}
