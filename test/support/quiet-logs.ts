import { Logger } from '@nestjs/common';

// The code under test logs through Nest's Logger (the apps the tests build are silenced separately, in test-app.ts):
// expected errors of deliberate fault tests would otherwise fill the output of a run that passes. QR_TEST_LOGS=1
// shows them.
if (!process.env.QR_TEST_LOGS) Logger.overrideLogger(false);
