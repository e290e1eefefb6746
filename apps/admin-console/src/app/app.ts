import { ChangeDetectionStrategy, Component } from '@angular/core';
import { RouterOutlet } from '@angular/router';
import { NavigationProgress } from './core/layout/navigation-progress';

@Component({
  selector: 'app-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterOutlet, NavigationProgress],
  template: '<app-navigation-progress /><router-outlet />',
})
export class App {}
