import { Controller, Get, Headers, Param, Query, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyAuth, Caller } from '../auth/auth.decorators';
import type { CallerIdentity } from '../auth/caller-identity';
import { ApiErrorResponses } from '../common/api-error-responses.decorator';
import { TaskIdParamDto } from './dto/task-query.dto';
import { EventsQueryDto } from './dto/events-query.dto';
import { TaskEventStreamService } from './task-event-stream.service';

@ApiTags('tasks')
@ApiKeyAuth()
@ApiErrorResponses()
@Controller('api/v1/tasks')
export class TaskEventsController {
  constructor(private readonly streams: TaskEventStreamService) {}

  /**
   * Server-Sent Events: past events, then live ones; closes after the terminal event. Resume
   * with `Last-Event-ID` (or `?last_event_id=`). `@Res` is needed here: the answer is a stream.
   */
  @Get(':id/events')
  @ApiOperation({ summary: 'Task events as Server-Sent Events (replay, live, resume)' })
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this seq' })
  @ApiResponse({ status: 200, description: 'text/event-stream of task events' })
  @ApiErrorResponses(400, 404)
  events(
    @Param() params: TaskIdParamDto,
    @Query() query: EventsQueryDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Caller() caller: CallerIdentity,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): void {
    const after =
      lastEventId !== undefined && /^\d{1,15}$/.test(lastEventId.trim())
        ? Number(lastEventId)
        : (query.last_event_id ?? 0);
    this.streams.open(params.id, caller, after, request, reply);
  }
}
