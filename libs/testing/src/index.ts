// Fakes of every remote service, speaking the real wire protocols on 127.0.0.1. Import only from tests and tools.
// One export block per fake; each owner edits only its own lines.
