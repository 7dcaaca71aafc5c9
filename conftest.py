# nameko and our database layer need a patched standard library (DESIGN.md §8);
# this must run before anything else imports sockets or threads.
import eventlet

eventlet.monkey_patch()

pytest_plugins = ["timebank_testing.plugin"]
