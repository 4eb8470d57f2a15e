import { createApp, createSeededAuthorizer } from './app';

const port = Number(process.env.PORT ?? 3000);
const authorizer = await createSeededAuthorizer();
createApp(authorizer).listen(port, () => {
  process.stdout.write(`creator-platform API on http://localhost:${port} (pick a user with the x-user header: ada, ben, cleo, dan)\n`);
});
