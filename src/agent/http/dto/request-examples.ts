import type { ExamplesObject, HeadersObject } from '@nestjs/swagger';

/**
 * Request examples of the OpenAPI document. Swagger UI's "Try it out" sends the first one as it
 * is, so each must be accepted by a service on its defaults (the built-in offline model, any
 * working directory); an e2e test sends every one.
 */
export const TASK_REQUEST_EXAMPLES: ExamplesObject = {
  list_files: {
    summary: 'List a folder',
    value: { task: 'List the files in .' },
  },
  with_options: {
    summary: 'Priority, metadata and limits',
    value: {
      task: 'Search for "TODO" in .',
      priority: 'high',
      metadata: { ticket: 'DOC-1' },
      context: {
        working_directory: '.',
        tools: ['list_files', 'search_files', 'read_file'],
        scenario: 'file_operations',
        constraints: { max_execution_time: 60, max_steps: 5 },
      },
    },
  },
};

export const BATCH_REQUEST_EXAMPLES: ExamplesObject = {
  parallel: {
    summary: 'Two tasks at once',
    value: { tasks: [{ task: 'List the files in .' }, { task: 'Search for "TODO" in .' }] },
  },
  sequential: {
    summary: 'In order, going on after a failure',
    value: {
      mode: 'sequential',
      continue_on_error: true,
      tasks: [
        { task: 'List the files in .', priority: 'high' },
        { task: 'Search for "TODO" in .' },
      ],
    },
  },
};

/** The `Location` header of a 202 answer. */
export const LOCATION_HEADER: HeadersObject = {
  location: {
    description: 'Where to poll the accepted task or batch.',
    schema: { type: 'string' },
  },
};
