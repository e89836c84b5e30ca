import { TaskRequest } from '../../contracts/task.types';

/**
 * Checks a request against what only the running service knows (enabled tools, scenarios,
 * allowed roots) and returns the request as accepted. Throws InvalidRequestError.
 */
export abstract class TaskRequestChecker {
  abstract check(request: TaskRequest): TaskRequest;
}
