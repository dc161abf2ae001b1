// Requests per second of one endpoint under a fixed number of connections, measured with autocannon.
import autocannon from 'autocannon';

/**
 * Runs autocannon for `seconds` against one request. Every answer must be 2xx: a scenario that starts failing must
 * show as failing, not as a fast endpoint.
 */
export async function measureThroughput(baseUrl, { method = 'GET', path, headers = {}, body, connections, seconds }) {
  const result = await autocannon({
    url: `${baseUrl}${path}`,
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    connections,
    duration: seconds,
    timeout: 10,
  });
  return {
    rps: result.requests.average,
    requests: result.requests.total,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

/** The endpoints measured with autocannon; `baseline` first, the reference of every ratio. */
export function httpScenarios(phone) {
  const desktop = { device: { id: 'bench-desktop-autocannon', type: 'web', name: 'Bench desktop' } };
  const create = (query) => ({ method: 'POST', path: `/api/qr-sessions${query}`, body: desktop });
  return [
    { name: 'baseline', label: 'GET /api/health', request: { path: '/api/health' } },
    { name: 'create-none', label: 'POST /api/qr-sessions?image=none', request: create('?image=none') },
    { name: 'create-svg', label: 'POST /api/qr-sessions (SVG image)', request: create('') },
    { name: 'me', label: 'GET /api/me (token guard)', request: { path: '/api/me', headers: phone.headers } },
  ];
}
