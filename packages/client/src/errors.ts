// The API's one error body, `{ error: { code, message, request_id, details? } }`, as a thrown ApiError:
// callers branch on `code` (stable, listed in the API document), never on the message or the status.
export interface ErrorBody {
  error: { code: string; message: string; request_id?: string; details?: unknown };
}

export class ApiError extends Error {
  override readonly name = "ApiError";

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null = null,
    readonly details: unknown = undefined,
  ) {
    super(message);
  }
}

function isErrorBody(body: unknown): body is ErrorBody {
  const e = (body as { error?: unknown } | null)?.error as { code?: unknown; message?: unknown } | undefined;
  return typeof e === "object" && e !== null && typeof e.code === "string" && typeof e.message === "string";
}

/** The ApiError of a failed response; a body that is not the error model (a proxy's page) still gets a
 * code, HTTP_<status>, so callers need only one branch. */
export async function apiErrorOf(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => "");
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  if (isErrorBody(body)) {
    const e = body.error;
    return new ApiError(response.status, e.code, e.message, e.request_id ?? null, e.details);
  }
  return new ApiError(
    response.status,
    `HTTP_${response.status}`,
    text.slice(0, 200) || response.statusText || `HTTP ${response.status}`,
    response.headers.get("x-request-id"),
  );
}
