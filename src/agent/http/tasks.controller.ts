import {
  Body,
  Controller,
  HttpCode,
  Delete,
  Get,
  Headers,
  Param,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBody,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiKeyAuth, Caller } from '../../auth/auth.decorators';
import type { CallerIdentity } from '../../contracts/caller-identity';
import {
  ApiErrorResponses,
  BODY_ERRORS,
  ID_ERRORS,
} from '../../common/api-error-responses.decorator';
import { LOCATION_HEADER, TASK_REQUEST_EXAMPLES } from './dto/request-examples';
import { ListTasksQueryDto, SubmitQueryDto, TaskIdParamDto } from './dto/task-query.dto';
import { TaskRequestDto } from './dto/task-request.dto';
import { TaskListDto, TaskResponseDto } from './dto/task-response.dto';
import { toWire } from '../../common/plain-data';
import { TaskAnswerCache } from './task-answer.cache';
import { TasksService } from '../tasks/tasks.service';
import { TaskRequest, TaskResponse } from '../../contracts/task.types';

@ApiTags('tasks')
@ApiKeyAuth()
@ApiErrorResponses()
@Controller('api/v1/tasks')
export class TasksController {
  constructor(
    private readonly tasks: TasksService,
    private readonly answers: TaskAnswerCache,
  ) {}

  /**
   * Creates a task and queues it by priority. By default waits for the result, up to
   * `service.sync_wait_seconds`: a task that ended is answered 200 (also when it failed: its
   * `status` and `error` say so); one still queued or running then, or any task when `?wait=false`
   * or `Prefer: respond-async` is sent, is answered 202 with a `Location` to poll. Sending a
   * `task_id` (or `Idempotency-Key`) that exists returns that task when the body and owner are the
   * same, and runs nothing again.
   */
  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Submit a task (waits for the result unless asked not to)' })
  @ApiBody({ type: TaskRequestDto, examples: TASK_REQUEST_EXAMPLES })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Same as `task_id` (1..128 of `[A-Za-z0-9._:-]`); both sent must be equal.',
  })
  @ApiHeader({
    name: 'Prefer',
    required: false,
    description: '`respond-async`: answer 202 at once, like `?wait=false`.',
  })
  @ApiResponse({
    status: 200,
    type: TaskResponseDto,
    description: 'The task ended: completed, failed, timeout or cancelled.',
  })
  @ApiResponse({
    status: 202,
    type: TaskResponseDto,
    description: 'Accepted and still queued or running; poll the `Location` or follow its events.',
    headers: LOCATION_HEADER,
  })
  @ApiErrorResponses(...BODY_ERRORS, 409)
  async submit(
    @Body() dto: TaskRequestDto,
    @Query() query: SubmitQueryDto,
    @Headers('prefer') prefer: string | undefined,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Caller() caller: CallerIdentity,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TaskResponse> {
    const wait = query.wait !== false && !/respond-async/i.test(prefer ?? '');
    const { task, done } = await this.tasks.submitAndWait(toWire<TaskRequest>(dto), caller, {
      idempotencyKey,
      wait,
    });
    if (!done)
      void reply
        .status(202)
        .header('location', `/api/v1/tasks/${encodeURIComponent(task.task_id)}`);
    return task;
  }

  /**
   * The tasks the caller may see (its own; an admin sees all), newest first, without their
   * steps. Filter by `status` and `priority`; page with `limit` and the `next_cursor` of the
   * previous page.
   */
  @Get()
  @ApiOperation({ summary: 'List tasks' })
  @ApiOkResponse({ type: TaskListDto, description: 'One page of tasks.' })
  @ApiErrorResponses(400)
  list(
    @Query() query: ListTasksQueryDto,
    @Caller() caller: CallerIdentity,
  ): Promise<{ tasks: TaskResponse[]; next_cursor: string | null }> {
    return this.tasks.list(caller, query);
  }

  /**
   * A task with its steps, plan, metrics and, once it ended, its result; also after a restart,
   * until `storage.retention_days` purges it. Another owner's task is a 404.
   */
  @Get(':id')
  @ApiOperation({ summary: 'Read a task' })
  @ApiOkResponse({ type: TaskResponseDto, description: 'The task as it is now.' })
  @ApiErrorResponses(...ID_ERRORS)
  get(
    @Param() params: TaskIdParamDto,
    @Caller() caller: CallerIdentity,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    // The answer's JSON text (kept for finished tasks), sent as it is.
    void reply.type('application/json; charset=utf-8');
    return this.answers.json(params.id, caller);
  }

  /**
   * Cancels a queued or running task: it is recorded `cancelled` (TASK_CANCELLED) at once, its
   * model call is aborted and every process it started is killed. A task that already ended is a
   * 409.
   */
  @Delete(':id')
  @ApiOperation({ summary: 'Cancel a task' })
  @ApiOkResponse({ type: TaskResponseDto, description: 'The task, now cancelled.' })
  @ApiErrorResponses(...ID_ERRORS, ...BODY_ERRORS, 409)
  cancel(@Param() params: TaskIdParamDto, @Caller() caller: CallerIdentity): Promise<TaskResponse> {
    return this.tasks.cancel(params.id, caller);
  }
}
