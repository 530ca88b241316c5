// One lint config for the whole tree; orchestrations/ gets the determinism rules.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const nondeterministic = [
  { name: "Date", message: "Orchestrations are replayed: use context.df.currentUtcDateTime." },
  { name: "setTimeout", message: "Orchestrations wait with durable timers (context.df.createTimer)." },
  { name: "setInterval", message: "Orchestrations wait with durable timers (context.df.createTimer)." },
  { name: "fetch", message: "Orchestrations do no I/O: call an activity." },
  { name: "process", message: "Orchestrations read no settings or environment: pass them in the input or read them in an activity." },
];

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", ".local/**", "**/*.js", "**/*.mjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["orchestrations/**/*.ts"],
    rules: {
      "no-restricted-globals": ["error", ...nondeterministic],
      "no-restricted-properties": ["error",
        { object: "Math", property: "random", message: "Orchestrations are replayed: randomness belongs in an activity." },
        { object: "Date", property: "now", message: "Orchestrations are replayed: use context.df.currentUtcDateTime." },
      ],
      "no-restricted-syntax": ["error",
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: "new Date() reads the clock: use context.df.currentUtcDateTime." },
      ],
      "no-restricted-imports": ["error", { patterns: [
        { group: ["fs", "fs/*", "node:*", "http", "https", "net", "child_process", "os", "crypto"], message: "Orchestrations do no I/O: call an activity." },
        { group: ["pg", "kafkajs", "@azure/storage-blob", "@azure/data-tables", "**/functions/hooks/**", "**/functions/activities/**"], allowTypeImports: true, message: "Orchestrations call activities; import only their types." },
      ] }],
    },
  },
);
