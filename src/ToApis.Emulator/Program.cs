using System.Runtime.InteropServices;
using ToApis.Emulator;
using ToApis.Emulator.Cli;

const int ExitUsageError = 2;
const int ExitStartFailed = 1;

CommandLine commandLine;
try
{
    commandLine = CommandLineParser.Parse(args);
}
catch (CommandLineException exception)
{
    await Console.Error.WriteLineAsync($"ToApis.Emulator: {exception.Message}");
    await Console.Error.WriteLineAsync("Run with --help to see the options.");
    return ExitUsageError;
}

if (commandLine.ShowHelp)
{
    Console.WriteLine(CommandLineParser.Usage);
    return 0;
}

var stopRequested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
void RequestStop(PosixSignalContext signal)
{
    signal.Cancel = true;
    stopRequested.TrySetResult();
}

using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, RequestStop);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, RequestStop);

if (commandLine.ReadyFile is { } staleReadyFile)
{
    // A file left by an earlier run must not announce this one before it listens.
    ReadyFile.Delete(staleReadyFile);
}

ToApisEmulator emulator;
try
{
    emulator = await ToApisEmulator.StartAsync(commandLine.Options);
}
catch (Exception exception) when (exception is IOException or ArgumentException)
{
    await Console.Error.WriteLineAsync($"ToApis.Emulator: could not start: {exception.Message}");
    return ExitStartFailed;
}

await using (emulator)
{
    var baseUrl = emulator.BaseUri.GetLeftPart(UriPartial.Authority);
    var filesUrl = emulator.FilesBaseUri.GetLeftPart(UriPartial.Authority);
    Console.WriteLine($"TOAPIS_BASE_URL={baseUrl}");
    Console.WriteLine($"TOAPIS_FILES_URL={filesUrl}");
    Console.WriteLine($"TOAPIS_API_KEY={emulator.ApiKey}");

    if (commandLine.ReadyFile is { } readyFile)
    {
        await ReadyFile.WriteAsync(readyFile, baseUrl, filesUrl, emulator.ApiKey);
    }

    await stopRequested.Task;
    if (commandLine.ReadyFile is { } announcedReadyFile)
    {
        ReadyFile.Delete(announcedReadyFile);
    }
}

return 0;
