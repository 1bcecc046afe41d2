// Public surface of @nostromo/client: the typed HTTP client (createClient, ApiError) and the live-session
// viewer socket (ViewerSocket). Runs in browsers and on Node 20.
export { ApiError, apiErrorOf, type ErrorBody } from "./errors.ts";
export {
  type ClientOptions,
  type Credentials,
  CSRF_HEADER,
  createClient,
  type NostromoClient,
  TENANT_HEADER,
} from "./http.ts";
export type { components, paths } from "./schema.d.ts";
export {
  parseRoomFrame,
  type ViewerClose,
  type ViewerOptions,
  ViewerSocket,
  type WebSocketConstructor,
  type WebSocketLike,
} from "./viewer.ts";
