using VoxScheduler.Server;

WebApplication app;
try
{
    app = ServerApp.Create(args);
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

await app.RunAsync();
return 0;
