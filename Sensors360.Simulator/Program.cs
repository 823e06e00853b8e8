using Sensors360.Simulator.Demo;

// Usage: Sensors360.Simulator [command] [--Simulator:Key=value ...]. The command defaults to "demo", so the AppHost
// starts it without arguments. Further modes (e.g. "load") become further commands here.
var (command, rest) = args is [var first, ..] && !first.StartsWith('-') ? (first, args[1..]) : (DemoCommand.Name, args);

return command switch
{
    DemoCommand.Name => await DemoCommand.RunAsync(rest),
    _ => await UnknownCommandAsync(command),
};

static async Task<int> UnknownCommandAsync(string command)
{
    await Console.Error.WriteLineAsync($"Unknown command '{command}'. Usage: Sensors360.Simulator [{DemoCommand.Name}] [--Simulator:Key=value ...]");
    return 2;
}
