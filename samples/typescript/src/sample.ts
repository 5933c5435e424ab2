/**
 * A typed client of the ASN Bengkulu API: every request and response type comes from `./api` — the file
 * `npm run generate` writes from openapi/gateway.json with openapi-typescript. Plain `fetch`, no runtime
 * dependency. The same five steps as samples/python/sample.py: a supervisor logs in, lists employees,
 * evaluates and finalises one direct report, enrols them in an open session, and reads the public feed.
 *
 *   npm ci && npm run generate && npm run check
 *   node --experimental-strip-types src/sample.ts http://127.0.0.1:8000   (Node >= 22.6)
 */
import type { components, paths } from "./api";

type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];
export type Predikat = Schemas["Predikat"];
export type Rating = Schemas["Rating"];
export type EnrolmentStatus = Schemas["EnrolmentStatus"];
export type GrantType = Schemas["GrantType"];
export type OAuthErrorCode = Schemas["OAuthErrorCode"];
export type FeedKind = Schemas["FeedKind"];

/** The JSON body of an operation's response with status `S`. */
type JsonOf<Op, S extends number> = Op extends { responses: infer R }
  ? S extends keyof R
    ? R[S] extends { content: { "application/json": infer B } }
      ? B
      : never
    : never
  : never;
/** The JSON request body of an operation. */
type BodyOf<Op> = Op extends { requestBody?: infer B }
  ? NonNullable<B> extends { content: { "application/json": infer J } }
    ? J
    : never
  : never;
type QueryOf<Op> = Op extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

type TokenOp = paths["/auth/token"]["post"];
type TokenForm = NonNullable<TokenOp["requestBody"]>["content"]["application/x-www-form-urlencoded"];
type WhoAmIOp = paths["/kinerja/v1/whoami"]["get"];
type EmployeesOp = paths["/kinerja/v1/employees"]["get"];
type EvaluationCreateOp = paths["/kinerja/v1/evaluations"]["post"];
type EvaluationUpdateOp = paths["/kinerja/v1/evaluations/{evaluation_id}"]["patch"];
type FinalizeOp = paths["/kinerja/v1/evaluations/{evaluation_id}/finalize"]["post"];
type SessionsOp = paths["/pelatihan/v1/sessions"]["get"];
type EnrolOp = paths["/pelatihan/v1/sessions/{session_id}/enrolments"]["post"];
type FeedOp = paths["/publik/v1/feed"]["get"];

// Property access on `never` type-checks silently, so prove every type above resolved to a real shape.
type Resolved<T> = [T] extends [never] ? false : true;
export const typesResolved: [
  Resolved<TokenForm>,
  Resolved<JsonOf<TokenOp, 200>>,
  Resolved<JsonOf<EmployeesOp, 200>>,
  Resolved<BodyOf<EvaluationCreateOp>>,
  Resolved<BodyOf<EvaluationUpdateOp>>,
  Resolved<JsonOf<FinalizeOp, 200>>,
  Resolved<QueryOf<SessionsOp>>,
  Resolved<BodyOf<EnrolOp>>,
  Resolved<JsonOf<EnrolOp, 201>>,
  Resolved<JsonOf<FeedOp, 200>>,
] = [true, true, true, true, true, true, true, true, true, true];

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
  ) {
    // Every error carries the request id: quote it when reporting a problem.
    const requestId: string | undefined = problem?.request_id;
    super(`${status} ${problem?.title ?? ""}: ${problem?.detail ?? ""} (request ${requestId ?? "-"})`);
  }
}

/** The token endpoint's refusals name an RFC 6749 error code; these are worth telling the user apart. */
export function explainTokenError(error: OAuthErrorCode): string {
  switch (error) {
    case "invalid_grant":
      return "wrong username or password, or the account is locked";
    case "invalid_client":
      return "wrong client id or secret";
    case "slow_down":
      return "too many failed attempts: wait and retry";
    default:
      return error;
  }
}

export class Client {
  token: string | undefined;

  constructor(readonly baseUrl: string) {}

  private async send<T>(
    method: string,
    path: string,
    expect: number,
    init: { query?: object; json?: unknown; form?: Record<string, string>; ifMatch?: string | null } = {},
  ): Promise<{ body: T; etag: string | null }> {
    const url = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(init.query ?? {})) {
      if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
    }
    const headers: Record<string, string> = { Accept: "application/json" };
    if (this.token) headers["Authorization"] = `Bearer ${this.token}`;
    if (init.ifMatch) headers["If-Match"] = init.ifMatch;
    let body: string | undefined;
    if (init.form) {
      headers["Content-Type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(init.form).toString();
    } else if (init.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(init.json);
    }
    const resp = await fetch(url, { method, headers, body });
    if (resp.status !== expect) {
      const problem = (await resp.json().catch(() => undefined)) as Problem | undefined;
      throw new ApiError(resp.status, problem);
    }
    return { body: (await resp.json()) as T, etag: resp.headers.get("ETag") };
  }

  async login(form: TokenForm): Promise<JsonOf<TokenOp, 200>> {
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(form)) if (typeof v === "string") fields[k] = v;
    const { body } = await this.send<JsonOf<TokenOp, 200>>("POST", "/auth/token", 200, { form: fields });
    this.token = body.access_token;
    return body;
  }

  async whoami(): Promise<JsonOf<WhoAmIOp, 200>> {
    return (await this.send<JsonOf<WhoAmIOp, 200>>("GET", "/kinerja/v1/whoami", 200)).body;
  }

  async listEmployees(query: QueryOf<EmployeesOp>): Promise<JsonOf<EmployeesOp, 200>> {
    return (await this.send<JsonOf<EmployeesOp, 200>>("GET", "/kinerja/v1/employees", 200, { query })).body;
  }

  async createEvaluation(body: BodyOf<EvaluationCreateOp>) {
    return this.send<JsonOf<EvaluationCreateOp, 201>>("POST", "/kinerja/v1/evaluations", 201, { json: body });
  }

  async rateEvaluation(id: string, body: BodyOf<EvaluationUpdateOp>, ifMatch: string | null) {
    const path = `/kinerja/v1/evaluations/${encodeURIComponent(id)}`;
    return this.send<JsonOf<EvaluationUpdateOp, 200>>("PATCH", path, 200, { json: body, ifMatch });
  }

  async finalizeEvaluation(id: string, ifMatch: string | null): Promise<JsonOf<FinalizeOp, 200>> {
    const path = `/kinerja/v1/evaluations/${encodeURIComponent(id)}/finalize`;
    return (await this.send<JsonOf<FinalizeOp, 200>>("POST", path, 200, { ifMatch })).body;
  }

  async listSessions(query: QueryOf<SessionsOp>): Promise<JsonOf<SessionsOp, 200>> {
    return (await this.send<JsonOf<SessionsOp, 200>>("GET", "/pelatihan/v1/sessions", 200, { query })).body;
  }

  async enrol(sessionId: string, body: BodyOf<EnrolOp>): Promise<JsonOf<EnrolOp, 201>> {
    const path = `/pelatihan/v1/sessions/${encodeURIComponent(sessionId)}/enrolments`;
    return (await this.send<JsonOf<EnrolOp, 201>>("POST", path, 201, { json: body })).body;
  }

  async feed(query: QueryOf<FeedOp>): Promise<JsonOf<FeedOp, 200>> {
    return (await this.send<JsonOf<FeedOp, 200>>("GET", "/publik/v1/feed", 200, { query })).body;
  }
}

function currentQuarter(today: Date): string {
  return `${today.getUTCFullYear()}-Q${Math.floor(today.getUTCMonth() / 3) + 1}`;
}

export async function run(baseUrl: string, username = "atasan.bkd", password = "bengkulu-demo"): Promise<void> {
  const api = new Client(baseUrl);

  const grant: GrantType = "password";
  const token = await api.login({ grant_type: grant, username, password });
  const me = await api.whoami();
  console.log(`ok login: ${me.subject} (${me.roles.join(", ")}), token for ${token.expires_in} s`);

  const page = await api.listEmployees({ limit: 50 });
  const reports = page.items.filter((e) => e.supervisor_nip === me.nip && e.active);
  const report = reports[0];
  if (report === undefined) throw new Error(`${username} has no active direct reports`);
  console.log(`ok employees: ${page.items.length} visible, ${reports.length} direct report(s)`);

  const created = await api.createEvaluation({ nip: report.nip, period: currentQuarter(new Date()) });
  const rating: Rating = "SESUAI_EKSPEKTASI";
  const rated = await api.rateEvaluation(
    created.body.id,
    { result_rating: rating, behavior_rating: rating },
    created.etag,
  );
  const final = await api.finalizeEvaluation(created.body.id, rated.etag);
  const predikat: Predikat | null | undefined = final.predikat;
  console.log(`ok finalize: ${final.nip} ${final.period}: ${final.status}, predikat ${predikat ?? "-"}`);

  const sessions = await api.listSessions({ open: true, limit: 50 });
  const target = sessions.items.find((s) => !s.eligible_position_types?.length);
  if (target === undefined) throw new Error("no open training session to enrol in");
  const enrolment = await api.enrol(target.id, { nip: report.nip });
  const waiting: EnrolmentStatus[] = ["PENDING_APPROVAL", "WAITLISTED"];
  console.log(`ok enrol: ${enrolment.status}${waiting.includes(enrolment.status) ? " (not yet confirmed)" : ""}`);

  api.token = undefined;
  const feed = await api.feed({ limit: 10 });
  const kinds: FeedKind[] = feed.items.map((i) => i.kind);
  console.log(`ok feed: ${feed.items.length} item(s): ${feed.items.map((i) => `${i.kind} ${i.period}`).join("; ")}`);
  if (kinds.includes("UNIT_PERFORMANCE")) console.log("   (unit performance published)");
}

declare const process: { argv: string[]; exitCode?: number } | undefined;
const argv = typeof process === "undefined" ? [] : process.argv;
if (argv[1]?.endsWith("sample.ts")) {
  run(argv[2] ?? "http://127.0.0.1:8000").catch((err: unknown) => {
    console.error("failed:", err);
    if (typeof process !== "undefined") process.exitCode = 1;
  });
}
