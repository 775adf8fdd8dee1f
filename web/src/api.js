// The pages' one way to the API: GraphQL over HTTP (POST /graphql) and subscriptions over
// graphql-transport-ws, both with the role token the user typed (none = public).
import { createClient } from "graphql-ws";

const TOKEN_KEY = "crimegraph.token";

export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY) || "";
}

export function setToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

function authHeaders() {
  const token = getToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/** An error the API returned, keeping its GraphQL errors (code, argument) for the page. */
export class ApiError extends Error {
  constructor(message, errors = []) {
    super(message);
    this.errors = errors;
    this.code = errors[0]?.extensions?.code;
  }
}

/** Run one query or mutation; resolves to `data`, rejects with an ApiError. */
export async function graphql(query, variables = {}) {
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", ...authHeaders() },
      body: JSON.stringify({ query, variables }),
    });
  } catch (err) {
    throw new ApiError(`the API could not be reached (${err.message})`);
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`the API answered ${response.status} without JSON`);
  }
  if (body.errors?.length) {
    throw new ApiError(body.errors.map((e) => e.message).join("; "), body.errors);
  }
  if (!response.ok) throw new ApiError(`the API answered ${response.status}`);
  return body.data;
}

let wsClient = null;

/** Subscribe over graphql-transport-ws; returns an unsubscribe function. */
export function subscribe(query, variables, { next, error }) {
  if (!wsClient) {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    wsClient = createClient({
      url: `${scheme}://${location.host}/graphql`,
      connectionParams: () => authHeaders(),
      retryAttempts: 3,
    });
  }
  return wsClient.subscribe(
    { query, variables },
    {
      next: (message) =>
        message.errors?.length
          ? error(new ApiError(message.errors.map((e) => e.message).join("; "), message.errors))
          : next(message.data),
      error: (err) => error(err instanceof Error ? err : new ApiError("subscription closed")),
      complete: () => {},
    },
  );
}

/** Reset the live connection, e.g. after the token changed. */
export function resetSubscriptions() {
  wsClient?.dispose();
  wsClient = null;
}
