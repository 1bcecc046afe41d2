// The web console in real Chromium against the real stack: one stack and one browser for the whole file
// (a stack takes tens of seconds to start on a 2-core machine); the cases live beside it by area.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commandCenterCases } from "./command-center.ts";
import { connectionCases } from "./connections.ts";
import { type ConsoleEnv, startConsole } from "./harness.ts";
import { servingCases } from "./serving.ts";
import { signInCases } from "./sign-in.ts";
import { ssoCases } from "./sso.ts";

let env: ConsoleEnv;
const current = () => env;

beforeAll(async () => {
  env = await startConsole("console");
});
afterAll(async () => {
  await env?.close();
});

describe("serving", () => servingCases(current));
describe("sign-in", () => signInCases(current));
describe("single sign-on", () => ssoCases(current));
describe("tenant console", () => connectionCases(current));
describe("command center", () => commandCenterCases(current));

it("saw no script error and no Content-Security-Policy refusal on any page", () => {
  expect(env.problems).toEqual([]);
});
