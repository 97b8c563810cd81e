import { AppException, ErrorKind } from '../../common/app-exception.js';

export class StaffException extends AppException {
  static notFound(): StaffException {
    return new StaffException(ErrorKind.NotFound, 'no such staff member');
  }

  static usernameTaken(): StaffException {
    return new StaffException(ErrorKind.Conflict, 'this username is taken');
  }

  static lastAdmin(): StaffException {
    return new StaffException(ErrorKind.Conflict, 'at least one active admin must remain');
  }
}
