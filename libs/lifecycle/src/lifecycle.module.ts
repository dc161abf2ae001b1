import { Global, Module } from '@nestjs/common';
import { Drain } from './drain';

/** The process's lifecycle state, shared by every module. */
@Global()
@Module({ providers: [Drain], exports: [Drain] })
export class LifecycleModule {}
