using VoxScheduler.Server;

if (args.Any(a => a is "--help" or "-h" or "-?"))
{
    Console.WriteLine(ServerApp.Usage);
    return 0;
}

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
