import { AppException, ErrorKind } from '../../common/app-exception.js';

/** Errors of the inbox, conversation state, read cursors, search and transcripts. */
export class ConversationsException extends AppException {
  static notFound(): ConversationsException {
    return new ConversationsException(ErrorKind.NotFound, 'conversation not found');
  }

  static staffOnly(): ConversationsException {
    return new ConversationsException(ErrorKind.Forbidden, 'only staff may do this');
  }

  static badAssignee(): ConversationsException {
    return new ConversationsException(ErrorKind.BadRequest, 'Validation failed', { messages: ['assigneeId: is not an active staff member'] });
  }

  static badCursor(): ConversationsException {
    return new ConversationsException(ErrorKind.BadRequest, 'Validation failed', { messages: ['cursor: is not a cursor this server issued'] });
  }
}
