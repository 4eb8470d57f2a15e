import { runTour } from './tour';

// The README's `npm run demo`: a scripted tour of the creator-platform model.
await runTour((line) => process.stdout.write(`${line}\n`));
