import { AppException, ErrorKind } from '../../common/app-exception.js';

/** Errors of sending and reading messages. */
export class MessagesException extends AppException {
  static notFound(): MessagesException {
    return new MessagesException(ErrorKind.NotFound, 'conversation not found');
  }

  static closedStay(): MessagesException {
    return new MessagesException(ErrorKind.Forbidden, 'the stay is checked out; the conversation is closed for writing');
  }

  static unavailable(): MessagesException {
    return new MessagesException(ErrorKind.Unavailable, 'the database cannot be reached or did not answer in time; nothing was stored, retry');
  }

  static shuttingDown(): MessagesException {
    return new MessagesException(ErrorKind.Unavailable, 'the server is shutting down; nothing was stored, retry');
  }

  static internal(): MessagesException {
    return new MessagesException(ErrorKind.Internal, 'the message could not be stored; retry');
  }
}
