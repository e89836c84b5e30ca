import { Body, Controller, HttpCode, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiKeyAuth, Caller } from '../../auth/auth.decorators';
import type { CallerIdentity } from '../../contracts/caller-identity';
import {
  ApiErrorResponses,
  BODY_ERRORS,
  ID_ERRORS,
} from '../../common/api-error-responses.decorator';
import { BATCH_REQUEST_EXAMPLES, LOCATION_HEADER } from './dto/request-examples';
import { BatchRequestDto } from './dto/batch-request.dto';
import { BatchIdParamDto, SubmitQueryDto } from './dto/task-query.dto';
import { BatchResponseDto } from './dto/task-response.dto';
import { BatchResponse, TaskBatchService } from '../batches/task-batch.service';
import { toWire } from '../../common/plain-data';
import { TaskRequest } from '../../contracts/task.types';

@ApiTags('batches')
@ApiKeyAuth()
@ApiErrorResponses()
@Controller('api/v1')
export class BatchesController {
  constructor(private readonly batches: TaskBatchService) {}

  /**
   * Runs 1..100 tasks, all at once under the concurrency limit (`parallel`) or one after another
   * (`sequential`; without `continue_on_error` the tasks after one that did not complete are
   * recorded cancelled with BATCH_ABORTED). The whole batch is checked before any task is created.
   * Waits like `POST /api/v1/tasks` unless `?wait=false`.
   */
  @Post('tasks/batch')
  @HttpCode(200)
  @ApiOperation({ summary: 'Submit a batch of tasks' })
  @ApiBody({ type: BatchRequestDto, examples: BATCH_REQUEST_EXAMPLES })
  @ApiResponse({
    status: 200,
    type: BatchResponseDto,
    description: 'Every task of the batch ended.',
  })
  @ApiResponse({
    status: 202,
    type: BatchResponseDto,
    description: 'Accepted; some tasks are still queued or running. Poll the `Location`.',
    headers: LOCATION_HEADER,
  })
  @ApiErrorResponses(...BODY_ERRORS, 409)
  async submit(
    @Body() dto: BatchRequestDto,
    @Query() query: SubmitQueryDto,
    @Caller() caller: CallerIdentity,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<BatchResponse> {
    const batch = await this.batches.submitAndWait(
      {
        tasks: dto.tasks.map((t) => toWire<TaskRequest>(t)),
        mode: dto.mode,
        continue_on_error: dto.continue_on_error,
      },
      caller,
      query.wait !== false,
    );
    if (batch.status !== 'completed') {
      void reply.status(202).header('location', `/api/v1/batches/${batch.batch_id}`);
    }
    return batch;
  }

  /** A batch's status, each of its tasks, and statistics. Another owner's batch is a 404. */
  @Get('batches/:batch_id')
  @ApiOperation({ summary: 'Read a batch' })
  @ApiOkResponse({ type: BatchResponseDto, description: 'The batch as it is now.' })
  @ApiErrorResponses(...ID_ERRORS)
  get(@Param() params: BatchIdParamDto, @Caller() caller: CallerIdentity): Promise<BatchResponse> {
    return this.batches.get(params.batch_id, caller);
  }
}
