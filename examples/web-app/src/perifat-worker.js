// A worker module of the app that hosts perifat's own worker engine.
import 'perifat/worker';
