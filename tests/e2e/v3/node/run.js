// Drives ipfleet's v3 API with the official Node SDK, as a reseller would:
// list the account's IPs, put a subuser's IPs, and show a refused put the SDK's way.
// Usage: BASE_URL=http://127.0.0.1:8080 API_KEY=SG.x.y SUBUSER=alice IPS=a,b node run.js
// Prints one JSON object: what each call answered.
'use strict';

const client = require('@sendgrid/client');

async function main() {
  const { BASE_URL, API_KEY, SUBUSER, IPS, FOREIGN_IP } = process.env;
  client.setApiKey(API_KEY);
  client.setDefaultRequest('baseUrl', `${BASE_URL}/`); // after setApiKey, which resets it
  const out = {};

  const [listed, listedBody] = await client.request({ method: 'GET', url: '/v3/ips' });
  out.list = { status: listed.statusCode, body: listedBody };

  const [put, putBody] = await client.request({
    method: 'PUT',
    url: `/v3/subusers/${SUBUSER}/ips`,
    body: IPS.split(','),
  });
  out.put = { status: put.statusCode, body: putBody };

  try {
    await client.request({
      method: 'PUT',
      url: `/v3/subusers/${SUBUSER}/ips`,
      body: [FOREIGN_IP],
    });
    out.refused = { status: 'not refused' };
  } catch (error) {
    out.refused = { status: error.code, body: error.response.body, printed: error.toString() };
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
