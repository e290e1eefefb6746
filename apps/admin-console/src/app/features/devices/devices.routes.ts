import type { Routes } from '@angular/router';
import { MyDevices } from './my-devices/my-devices';

export const devicesRoutes: Routes = [{ path: '', component: MyDevices, title: 'Your devices · Signoff' }];
