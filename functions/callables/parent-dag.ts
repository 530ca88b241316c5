// parent_dag's callables: the draw (kept in XCom) and the branch decision made from it.
import { randomInt } from "node:crypto";
import { registerCallable } from "../activities/callable";

registerCallable("parent_dag.random_number", (_kwargs, ctx) => {
  const number = randomInt(0, 10);
  ctx.log(`Drew ${number}.`);
  return number;
});

registerCallable("parent_dag.choose_child", (kwargs) => {
  const number = kwargs.number;
  if (typeof number !== "number" || !Number.isInteger(number)) throw new Error(`Expected the drawn integer, got ${JSON.stringify(number)}.`);
  return number % 2 === 0 ? "trigger_A" : "trigger_B";
});
