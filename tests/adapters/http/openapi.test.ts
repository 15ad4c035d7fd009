/** The OpenAPI document and the server agree: every route is described, every described operation routed. */
import test from 'ava';
import { SessionManagerBuilder } from '../../../adapters/composition/index.js';
import { createRouter } from '../../../adapters/http/http-server.js';
import { openApiDocument } from '../../../adapters/http/openapi.js';
import { SessionMetrics } from '../../../adapters/http/session-metrics.js';

test('openapi.json describes exactly the routes the server answers (the dashboard\'s own files aside)', async (t) => {
  const coordinator = await new SessionManagerBuilder().withSipPort(0).withLocalAddress('127.0.0.1').build();
  t.teardown(() => coordinator.stop());
  const router = createRouter(coordinator, { metrics: new SessionMetrics({ processMetrics: false }) });
  const routed = router.list()
    .filter((route) => !/^GET \/(dashboard(\.js)?|openapi\.json)?$/.test(route))
    .map((route) => route.replace(/:(\w+)/g, '{$1}'))
    .sort();
  const described = Object.entries(openApiDocument.paths)
    .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
    // /events is the WebSocket upgrade, served beside the router.
    .filter((route) => route !== 'GET /events')
    .sort();
  t.deepEqual(routed, described);
  // Every request body named in the paths is defined among the schemas.
  const schemas = new Set(Object.keys(openApiDocument.components.schemas));
  const referenced = JSON.stringify(openApiDocument.paths).match(/#\/components\/schemas\/\w+/g) ?? [];
  for (const ref of referenced) t.true(schemas.has(ref.split('/').at(-1)!), ref);
});
