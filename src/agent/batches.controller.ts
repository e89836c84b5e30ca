import { Body, Controller, HttpCode, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiKeyAuth, Caller } from '../auth/auth.decorators';
import type { CallerIdentity } from '../auth/caller-identity';
import { ApiErrorResponses } from '../common/api-error-responses.decorator';
import { BatchRequestDto } from './dto/batch-request.dto';
import { BatchIdParamDto, SubmitQueryDto } from './dto/task-query.dto';
import { BatchResponseDto } from './dto/task-response.dto';
import { BatchResponse, TaskBatchService } from './task-batch.service';
import { plainRequest } from './tasks.controller';

@ApiTags('batches')
@ApiKeyAuth()
@ApiErrorResponses()
@Controller('api/v1')
export class BatchesController {
  constructor(private readonly batches: TaskBatchService) {}

  /** Runs 1..100 tasks in parallel or in sequence; waits like POST /tasks unless `?wait=false`. */
  @Post('tasks/batch')
  @HttpCode(200)
  @ApiOperation({ summary: 'Submit a batch of tasks' })
  @ApiResponse({ status: 200, type: BatchResponseDto, description: 'Every task is terminal' })
  @ApiResponse({ status: 202, type: BatchResponseDto, description: 'Accepted; poll Location' })
  @ApiErrorResponses(400, 409, 413, 503)
  async submit(
    @Body() dto: BatchRequestDto,
    @Query() query: SubmitQueryDto,
    @Caller() caller: CallerIdentity,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<BatchResponse> {
    const batch = await this.batches.submitAndWait(
      {
        tasks: dto.tasks.map(plainRequest),
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

  /** A batch's status, each task's result, and statistics. */
  @Get('batches/:batch_id')
  @ApiOperation({ summary: 'Batch status, results and statistics' })
  @ApiOkResponse({ type: BatchResponseDto })
  @ApiErrorResponses(400, 404)
  get(@Param() params: BatchIdParamDto, @Caller() caller: CallerIdentity): BatchResponse {
    return this.batches.get(params.batch_id, caller);
  }
}
