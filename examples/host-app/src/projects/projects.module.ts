import { Module } from '@nestjs/common';
import { ProjectsController } from './projects.controller.js';

/** A feature of the host behind the library's guard (GraphQL resolvers and gateways go in modules like this one). */
@Module({ controllers: [ProjectsController] })
export class ProjectsModule {}
