// Prints the gateway's live status stream: snapshots every 5 s, transitions and stale lists as they happen.
// Usage: node eng/watch.mjs <gateway-url> <bearer-token> [sensorId to follow]   (eng/watch.sh signs in for you)
const [gateway, token, follow] = process.argv.slice(2);
if (!gateway || !token) {
  console.error('usage: node eng/watch.mjs <gateway-url> <bearer-token> [sensorId]');
  process.exit(2);
}
const url = gateway.replace(/^http/, 'ws').replace(/\/$/, '') + '/ws';
const socket = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` } });
const time = () => new Date().toISOString().slice(11, 23);

socket.onopen = () => {
  if (follow) socket.send(JSON.stringify({ type: 'subscribe', sensorId: Number(follow) }));
};
socket.onmessage = (event) => {
  const { type, data } = JSON.parse(event.data);
  switch (type) {
    case 'snapshot':
      console.log(`${time()} snapshot  total ${data.total}  new ${data.new}  up ${data.up}  late ${data.late}  down ${data.down}` +
        `  retired ${data.retired}  stale ${data.percentStale.toFixed(1)}%  ${data.heartbeatsPerSecond.toFixed(1)} hb/s`);
      break;
    case 'stateChanged':
      console.log(`${time()} ${data.tag} (id ${data.sensorId}): ${data.from} -> ${data.to}`);
      break;
    case 'stale':
      console.log(`${time()} stale scan: ${data.count} sensors silent longer than ${data.threshold}`);
      break;
    default:
      console.log(`${time()} ${type} ${JSON.stringify(data)}`);
  }
};
socket.onclose = (event) => {
  console.log(`${time()} closed (${event.code}${event.reason ? ': ' + event.reason : ''})`);
  process.exit(event.code === 1000 ? 0 : 1);
};
socket.onerror = () => console.error(`${time()} cannot connect to ${url} (is eng/run.sh running, is the token valid?)`);
process.on('SIGINT', () => socket.close(1000));
