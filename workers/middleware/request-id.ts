// Request ids: honour a sane incoming X-Request-Id (tracing through proxies), else mint one; echo it back.
import { requestId as honoRequestId } from "hono/request-id";

export const requestId = () =>
  honoRequestId({
    headerName: "X-Request-Id",
    generator: () => `req_${crypto.randomUUID().replace(/-/g, "")}`,
  });
