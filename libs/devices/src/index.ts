export * from './device.entity';
export * from './devices.repository';
export * from './devices.service';
export * from './devices.module';
export * from './dto/device.dto';
