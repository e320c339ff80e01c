// The example app's Node.js function, behind the HTTP API: it answers with the version
// that served the request (AWS_LAMBDA_FUNCTION_VERSION), which makes a canary visible.
export const handler = async (event) => ({
  statusCode: 200,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ path: event.rawPath, version: process.env.AWS_LAMBDA_FUNCTION_VERSION }),
});
