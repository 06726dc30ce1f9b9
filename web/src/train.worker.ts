// The demo's Web Worker: the package's trainer script, nothing else.
import 'simple-rnn/worker/web';
