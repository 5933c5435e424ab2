// oauth4webapi (a strict OAuth 2.0 client) against the gateway's token endpoint, run by
// tests/gateway/test_oauth_libraries.py. Prints one JSON object with what each attempt gave.
// Usage: node oauth_client.mjs <gateway base URL> <client_id> <client_secret> <public client_id> <username> <password>
import * as oauth from "oauth4webapi";

const [base, clientId, clientSecret, publicClientId, username, password] = process.argv.slice(2);
const as = { issuer: base, token_endpoint: `${base}/auth/token` };
// Loopback http only: oauth4webapi refuses http:// unless told otherwise.
const options = { [oauth.allowInsecureRequests]: true };

async function attempt(run) {
  try {
    const result = await run();
    return { ok: true, token_type: result.token_type, expires_in: result.expires_in, access_token: result.access_token };
  } catch (err) {
    const out = { ok: false, name: err.name, status: err.status ?? err.response?.status };
    if (err instanceof oauth.ResponseBodyError) {
      out.error = err.error;
      out.error_description = err.error_description;
    } else if (err instanceof oauth.WWWAuthenticateChallengeError) {
      out.challenges = err.cause;
      out.body = await err.response.json();
      out.content_type = err.response.headers.get("content-type");
    } else {
      out.message = String(err.message);
    }
    return out;
  }
}

async function clientCredentials(auth) {
  const client = { client_id: clientId };
  const response = await oauth.clientCredentialsGrantRequest(as, client, auth, new URLSearchParams(), options);
  return oauth.processClientCredentialsResponse(as, client, response);
}

async function passwordGrant(pw) {
  // No helper for the password grant in oauth4webapi: the generic grant with a public client (no secret).
  const client = { client_id: publicClientId };
  const params = new URLSearchParams({ username, password: pw });
  const response = await oauth.genericTokenEndpointRequest(as, client, oauth.None(), "password", params, options);
  return oauth.processGenericTokenEndpointResponse(as, client, response);
}

const results = {
  basic: await attempt(() => clientCredentials(oauth.ClientSecretBasic(clientSecret))),
  post: await attempt(() => clientCredentials(oauth.ClientSecretPost(clientSecret))),
  wrong_basic: await attempt(() => clientCredentials(oauth.ClientSecretBasic(clientSecret + "-wrong"))),
  wrong_post: await attempt(() => clientCredentials(oauth.ClientSecretPost(clientSecret + "-wrong"))),
  password: await attempt(() => passwordGrant(password)),
  wrong_password: await attempt(() => passwordGrant(password + "-wrong")),
};
process.stdout.write(JSON.stringify(results));
