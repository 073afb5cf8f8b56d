using ToApis.HelpBuilder;

// ToApis.HelpBuilder <markdown folder> <help output folder>
// Exit codes: 0 written, 1 a file leaves the platyPS schema (reported as path(line): error ...), 2 usage.
if (args.Length != 2)
{
    Console.Error.WriteLine("Usage: ToApis.HelpBuilder <docs/cmdlets folder> <module en-US folder>");
    return 2;
}

try
{
    foreach (var path in HelpBuild.Run(args[0], args[1]))
    {
        Console.WriteLine($"ToApis.HelpBuilder -> {path}");
    }

    return 0;
}
catch (HelpSchemaException invalid)
{
    Console.Error.WriteLine(invalid.ToString());
    return 1;
}
catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidOperationException)
{
    Console.Error.WriteLine($"error TOAPISHELP: {error.Message}");
    return 1;
}
