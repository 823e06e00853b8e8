using Sensors360.Simulator.Demo;
using Sensors360.Simulator.History;
using Sensors360.Simulator.Load;

// Usage: Sensors360.Simulator [demo|load|history] [--Simulator:Key=value ...] [--Load:Key=value ...] [--History:Key=value ...]. The command defaults to
// "demo", so the AppHost starts it without arguments.
var (command, rest) = args is [var first, ..] && !first.StartsWith('-') ? (first, args[1..]) : (DemoCommand.Name, args);

return command switch
{
    DemoCommand.Name => await DemoCommand.RunAsync(rest),
    LoadCommand.Name => await LoadCommand.RunAsync(rest),
    HistoryCommand.Name => await HistoryCommand.RunAsync(rest),
    _ => await UnknownCommandAsync(command),
};

static async Task<int> UnknownCommandAsync(string command)
{
    await Console.Error.WriteLineAsync(
        $"Unknown command '{command}'. Usage: Sensors360.Simulator [{DemoCommand.Name}|{LoadCommand.Name}|{HistoryCommand.Name}] [--Simulator:Key=value ...] [--Load:Key=value ...] [--History:Key=value ...]");
    return 2;
}
