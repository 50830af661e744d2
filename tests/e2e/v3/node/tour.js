// Drives a list of v3 calls with the official Node SDK and prints what each answered:
// the coverage tour over SendGrid's four IP-related files (test_node_sdk.py).
// Usage: BASE_URL=... API_KEY=SG.x.y CALLS='[{"method","url","body"?}]' node tour.js
// Prints one JSON array: [{"method","url","status","body"}], in the order given.
'use strict';

const client = require('@sendgrid/client');

async function one(call) {
  const request = { method: call.method, url: call.url };
  if (call.body !== undefined) request.body = call.body;
  try {
    const [response, body] = await client.request(request);
    return { status: response.statusCode, body };
  } catch (error) {
    if (!error.response) throw error;
    return { status: error.code, body: error.response.body };
  }
}

async function main() {
  const { BASE_URL, API_KEY, CALLS } = process.env;
  client.setApiKey(API_KEY);
  client.setDefaultRequest('baseUrl', `${BASE_URL}/`); // after setApiKey, which resets it
  const out = [];
  for (const call of JSON.parse(CALLS)) {
    out.push({ method: call.method, url: call.url, ...(await one(call)) });
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
