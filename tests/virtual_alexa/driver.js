// Drives the skill's web service with Bespoken's virtual-alexa, a client nobody here wrote.
//
// usage: node driver.js SKILL_URL MODEL_FILE APPLICATION_ID LOCALE < conversations.json
//
// stdin holds a JSON list of conversations; each is a list of steps:
//   {"launch": true} | {"say": "what causes muscle weakness"} | {"intend": "Name", "slots": {}}
//   | {"hear": "tell me about polio"} | {"end": true}
// "say" is virtual-alexa's utter(), which hears any utterance containing "ask", "open",
// "launch", "talk to" or "tell" as a launch. "hear" matches the words with the same strict
// matcher utter() uses (virtual-core's Utterance: a sample's literal words, custom slots only
// with a listed value or synonym) but without that launch check, as words said inside an open
// session; words that match no sample come back as {"unmatched": true} instead of an error.
// Each conversation starts a fresh virtual device, so sessions never leak between them.
// stdout gets the same shape back: for each step, the request virtual-alexa sent and the
// response the skill gave (or the error). The Python test makes every assertion.
"use strict";

const va = require("virtual-alexa");
// Not re-exported by the package; endSession() wants this enum's number, not its name.
const { SessionEndedReason, SkillRequest } = require("virtual-alexa/lib/src/core/SkillRequest");
// virtual-alexa's own matcher (a locked dependency of virtual-alexa, see package-lock.json).
const { Utterance } = require("virtual-core");

function hear(alexa, words) {
  const utterance = new Utterance(alexa.context().interactionModel(), words);
  if (!utterance.matched()) return { unmatched: true };
  return alexa.call(new SkillRequest(alexa).intent(utterance.intent()).slots(utterance.toJSON()));
}

async function runStep(alexa, step) {
  if (step.launch) return alexa.launch();
  if (step.say !== undefined) return alexa.utter(step.say);
  if (step.hear !== undefined) return hear(alexa, step.hear);
  if (step.intend !== undefined) return alexa.intend(step.intend, step.slots || {});
  if (step.end) return alexa.endSession(SessionEndedReason.USER_INITIATED);
  throw new Error("unknown step " + JSON.stringify(step));
}

async function main() {
  const [skillURL, modelFile, applicationID, locale] = process.argv.slice(2);
  if (!skillURL || !modelFile || !applicationID || !locale) {
    console.error("usage: node driver.js SKILL_URL MODEL_FILE APPLICATION_ID LOCALE");
    process.exit(2);
  }
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const conversations = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const results = [];
  for (const steps of conversations) {
    const alexa = va.VirtualAlexa.Builder()
      .skillURL(skillURL)
      .interactionModelFile(modelFile)
      .applicationID(applicationID)
      .locale(locale)
      .create();
    let sent = null;
    alexa.filter((request) => {
      sent = JSON.parse(JSON.stringify(request));
    });
    const turns = [];
    for (const step of steps) {
      sent = null;
      try {
        const response = await runStep(alexa, step);
        if (response && response.unmatched === true) turns.push({ step, request: null, unmatched: true });
        else turns.push({ step, request: sent, response: response === undefined ? null : response });
      } catch (error) {
        turns.push({ step, request: sent, error: String(error && error.message ? error.message : error) });
      }
    }
    results.push(turns);
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : String(error));
  process.exit(1);
});
