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
import { ApiHeader, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiKeyAuth, Caller } from '../auth/auth.decorators';
import type { CallerIdentity } from '../auth/caller-identity';
import { ApiErrorResponses } from '../common/api-error-responses.decorator';
import { ListTasksQueryDto, SubmitQueryDto, TaskIdParamDto } from './dto/task-query.dto';
import { TaskRequestDto } from './dto/task-request.dto';
import { TaskListDto, TaskResponseDto } from './dto/task-response.dto';
import { TaskRunnerService } from './task-runner.service';
import { TaskRequest, TaskResponse } from './task.types';

/** Plain data from a validated DTO (no class instances, no undefined keys). */
export function plainRequest(dto: TaskRequestDto): TaskRequest {
  return JSON.parse(JSON.stringify(dto)) as TaskRequest;
}

@ApiTags('tasks')
@ApiKeyAuth()
@ApiErrorResponses()
@Controller('api/v1/tasks')
export class TasksController {
  constructor(private readonly runner: TaskRunnerService) {}

  /**
   * Submits a task. Waits for the result (200) up to service.sync_wait_seconds; a task still
   * running then, or `?wait=false`, or `Prefer: respond-async`, is answered 202 with Location.
   */
  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Submit a task (waits for the result unless async)' })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Same as task_id (SPEC 1.4)',
  })
  @ApiHeader({
    name: 'Prefer',
    required: false,
    description: '"respond-async" answers 202 at once',
  })
  @ApiResponse({
    status: 200,
    type: TaskResponseDto,
    description: 'Terminal (completed, failed, …)',
  })
  @ApiResponse({ status: 202, type: TaskResponseDto, description: 'Accepted; poll Location' })
  @ApiErrorResponses(400, 409, 413, 503)
  async submit(
    @Body() dto: TaskRequestDto,
    @Query() query: SubmitQueryDto,
    @Headers('prefer') prefer: string | undefined,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Caller() caller: CallerIdentity,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TaskResponse> {
    const wait = query.wait !== false && !/respond-async/i.test(prefer ?? '');
    const { task, done } = await this.runner.submitAndWait(plainRequest(dto), caller, {
      idempotencyKey,
      wait,
    });
    if (!done)
      void reply
        .status(202)
        .header('location', `/api/v1/tasks/${encodeURIComponent(task.task_id)}`);
    return task;
  }

  /** Tasks the caller may see, newest first. */
  @Get()
  @ApiOperation({ summary: 'List tasks (filters: status, priority; cursor paging)' })
  @ApiOkResponse({ type: TaskListDto })
  @ApiErrorResponses(400)
  list(
    @Query() query: ListTasksQueryDto,
    @Caller() caller: CallerIdentity,
  ): { tasks: TaskResponse[]; next_cursor: string | null } {
    return this.runner.list(caller, query);
  }

  /** A task's status and result (also after completion and after a restart). */
  @Get(':id')
  @ApiOperation({ summary: 'Task status and result' })
  @ApiOkResponse({ type: TaskResponseDto })
  @ApiErrorResponses(400, 404)
  get(
    @Param() params: TaskIdParamDto,
    @Caller() caller: CallerIdentity,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): string {
    // The answer's JSON text (kept for finished tasks), sent as it is.
    void reply.type('application/json; charset=utf-8');
    return this.runner.getJson(params.id, caller);
  }

  /** Cancels a queued or running task: its model call is aborted and its processes killed. */
  @Delete(':id')
  @ApiOperation({ summary: 'Cancel a task' })
  @ApiOkResponse({ type: TaskResponseDto, description: 'The task, now cancelled' })
  @ApiErrorResponses(400, 404, 409)
  cancel(@Param() params: TaskIdParamDto, @Caller() caller: CallerIdentity): TaskResponse {
    return this.runner.cancel(params.id, caller);
  }
}
