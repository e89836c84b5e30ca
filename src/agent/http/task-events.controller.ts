import { Controller, Get, Headers, Param, Query, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyAuth, Caller } from '../../auth/auth.decorators';
import type { CallerIdentity } from '../../contracts/caller-identity';
import { ApiErrorResponses, ID_ERRORS } from '../../common/api-error-responses.decorator';
import { TaskIdParamDto } from './dto/task-query.dto';
import { EventsQueryDto } from './dto/events-query.dto';
import { TaskEventStreamWriter } from './task-event-stream.writer';

@ApiTags('tasks')
@ApiKeyAuth()
@ApiErrorResponses()
@Controller('api/v1/tasks')
export class TaskEventsController {
  constructor(private readonly streams: TaskEventStreamWriter) {}

  /**
   * The task's events as Server-Sent Events: every stored event first (replay), then live ones;
   * the stream closes after the terminal event (task.completed, task.failed, task.cancelled or
   * task.timeout). Each message is `id: <seq>`, `event: <type>` and `data: <JSON>` with
   * `task_id`, `seq`, `timestamp`, `type` and the event's payload; a `: heartbeat` comment comes
   * every 15 s. Resume with `Last-Event-ID` (or `?last_event_id=`). Errors are JSON, sent before
   * the stream starts.
   */
  @Get(':id/events')
  @ApiOperation({ summary: 'Follow a task (Server-Sent Events)' })
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'Send only the events after this `seq`.',
  })
  @ApiResponse({
    status: 200,
    description: 'The event stream; see docs/api.md for every event and its payload.',
    content: {
      'text/event-stream': {
        schema: { type: 'string', description: 'Server-Sent Events messages.' },
        example:
          'retry: 2000\n\nid: 1\nevent: task.queued\ndata: {"task_id":"…","seq":1,"timestamp":"…","type":"task.queued","status":"queued","priority":"normal"}\n\n',
      },
    },
  })
  @ApiErrorResponses(...ID_ERRORS)
  // @Res is needed here: the answer is a stream written as events happen.
  events(
    @Param() params: TaskIdParamDto,
    @Query() query: EventsQueryDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Caller() caller: CallerIdentity,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const after =
      lastEventId !== undefined && /^\d{1,15}$/.test(lastEventId.trim())
        ? Number(lastEventId)
        : (query.last_event_id ?? 0);
    return this.streams.open(params.id, caller, after, request, reply);
  }
}
