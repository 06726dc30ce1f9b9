// simple-rnn/worker/web: the script of a browser Web Worker (module type) that runs Trainer jobs of the demo tasks.
//   const trainer = new Trainer(new Worker(new URL('simple-rnn/worker/web', import.meta.url), { type: 'module' }))
import { serveWebWorker } from '../trainer/web.js';
import { demoTasks } from './tasks.js';

serveWebWorker(demoTasks); // only inside a worker: imported on a page, this module does nothing
