import { takeViolations } from './response-validation';

/** Fails the test during which the service sent an answer its OpenAPI document does not describe. */
function failOnDrift(): void {
  const drifts = takeViolations();
  if (drifts.length) {
    throw new Error(
      `Responses that break the published OpenAPI document:\n  ${[...new Set(drifts)].join('\n  ')}`,
    );
  }
}

afterEach(failOnDrift);
afterAll(failOnDrift);
