using System.Collections;
using System.Management.Automation;
using SkiaSharp;
using ToApis.Emulator;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Examples;

/// <summary>
/// What an admin's machine has when they try an example: the CSV files and pictures it names, a connected
/// session, and a key in a vault. One emulator per test class; each example gets a fresh runspace and folder.
/// </summary>
/// <remarks>
/// The substitutions every example gets, all outside its text:
/// <list type="bullet">
/// <item>the current location is a folder holding prompts.csv (examples/prompts.csv), catalog.csv, nightly.csv and
/// campaign.csv (the same rows), batch.csv (with a ClientBusinessId column: batch-0601-001 to -003),
/// examples/prompts.csv, refs/ (cat.jpg, dog.jpg, cat.png, dog.png, 'logo [final].png'), brand/logo.png,
/// product.png, kitchen.jpg, task-ids.txt and batch-ids.txt (ids and client_business_ids of the $seed tasks);</item>
/// <item>the runspace is connected to the emulator; Connect-ToApis without -BaseUri connects to it
/// ($PSDefaultParameterValues), not to toapis.com, at the Svip rate tier unless the example names one;</item>
/// <item>Read-Host and Get-Secret (SecretManagement) are functions that return the emulator's key as a SecureString;</item>
/// <item>Wait-ToApisTask polls every 20 ms unless the example says otherwise ($PSDefaultParameterValues);</item>
/// <item>$Emulator is the emulator itself (for preludes that configure it, e.g. a token's webhook);</item>
/// <item>$seed, $tasks and $done hold the completed tasks of batch.csv, for examples that start from tasks
/// they assume a reader already has.</item>
/// </list>
/// </remarks>
public sealed class ExampleWorkspace : IAsyncLifetime
{
    /// <summary>Longer than any example takes here (the slowest, -Parallel polling every 5 s, takes about 15 s).</summary>
    private static readonly TimeSpan ExampleTimeout = TimeSpan.FromMinutes(2);

    private IReadOnlyList<PSObject> _seed = [];

    public ToApisEmulator Emulator { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var options = new EmulatorOptions { TimeScale = 0.001, Seed = 5 };
        options.Users[EmulatorOptions.DefaultApiKey] = new EmulatorUser(EmulatorOptions.DefaultUserId, RateTier.Svip);
        Emulator = await ToApisEmulator.StartAsync(options);

        using var folder = new TempFolder();
        WriteFixtures(folder.Path, []);
        using var shell = new PowerShellHost();
        var seeded = Run(shell, folder.Path, "Import-Csv ./batch.csv | New-ToApisImage | Wait-ToApisTask");
        if (seeded.Errors.Count > 0 || seeded.Output.Count != 3)
        {
            throw new InvalidOperationException("Seeding tasks failed: " + string.Join("; ", seeded.Errors));
        }

        _seed = seeded.Output;
    }

    public async Task DisposeAsync() => await Emulator.DisposeAsync();

    /// <summary>
    /// Runs <paramref name="prelude"/> (if any), then the example's script, in a fresh runspace and folder; then
    /// <paramref name="check"/> (if any), a script that must return $true.
    /// </summary>
    public ExampleRun RunExample(CodeExample example, string? prelude = null, IReadOnlyDictionary<string, string>? replacements = null, string? check = null)
    {
        // Runspaces of -Parallel and thread jobs load the module by name, as from an installed copy.
        var modulePath = Environment.GetEnvironmentVariable("PSModulePath");
        Environment.SetEnvironmentVariable("PSModulePath", Path.GetDirectoryName(ModuleAssembly.ModuleFolder) + Path.PathSeparator + modulePath);
        try
        {
            return RunExampleInWorkspace(example, prelude, replacements, check);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PSModulePath", modulePath);
        }
    }

    private ExampleRun RunExampleInWorkspace(CodeExample example, string? prelude, IReadOnlyDictionary<string, string>? replacements, string? check)
    {
        using var folder = new TempFolder();
        WriteFixtures(folder.Path, _seed);
        using var shell = new PowerShellHost();
        if (prelude is not null)
        {
            var before = Run(shell, folder.Path, prelude);
            if (before.Errors.Count > 0)
            {
                throw new InvalidOperationException($"The prelude of {example.Key} failed: {before.Errors[0]}");
            }
        }

        var script = example.Script;
        foreach (var (text, replacement) in replacements ?? new Dictionary<string, string>())
        {
            if (!script.Contains(text, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"{example.Key} no longer contains '{text}': update its substitution.");
            }

            script = script.Replace(text, replacement, StringComparison.Ordinal);
        }

        var result = Run(shell, folder.Path, script, ExampleTimeout);
        bool? checkPassed = check is null ? null : Run(shell, folder.Path, check).Output.LastOrDefault()?.BaseObject is true;
        // Each example starts without a webhook for the token, whatever the last one configured.
        Emulator.Webhooks.Remove();
        return new ExampleRun(result, checkPassed);
    }

    private ScriptResult Run(PowerShellHost shell, string folder, string script, TimeSpan? timeout = null)
    {
        var key = PowerShellHost.Secure(Emulator.ApiKey);
        shell.Run("""
            param($folder, $baseUri, $key, $seed, $emulator)
            Set-Location -LiteralPath $folder
            $global:ExampleKey = $key
            function global:Read-Host { param([Parameter(Position = 0)] $Prompt, [switch] $AsSecureString) $global:ExampleKey }
            function global:Get-Secret { param([Parameter(Position = 0)] [string] $Name) $global:ExampleKey }
            $global:PSDefaultParameterValues['Connect-ToApis:BaseUri'] = $baseUri
            $global:PSDefaultParameterValues['Connect-ToApis:RateTier'] = 'Svip'
            $global:PSDefaultParameterValues['Connect-ToApis:RetryIntervalSec'] = 0.01
            $global:PSDefaultParameterValues['Wait-ToApisTask:PollIntervalSec'] = 0.02
            $global:seed = $global:tasks = $global:done = $seed
            $global:EmulatorBaseUri = $baseUri
            $global:Emulator = $emulator
            if (-not (Get-Variable -Name ExampleConnected -Scope Global -ErrorAction Ignore)) {
                Connect-ToApis -ApiKey $key
                $global:ExampleConnected = $true
            }
            """, new Hashtable { ["folder"] = folder, ["baseUri"] = Emulator.BaseUri.ToString(), ["key"] = key, ["seed"] = _seed.ToArray(), ["emulator"] = Emulator });
        if (timeout is null)
        {
            return shell.Run(script);
        }

        // An example that waits for something that never comes fails after a while instead of hanging the suite.
        using var running = shell.Start(script);
        var invocation = running.BeginInvoke();
        if (!invocation.AsyncWaitHandle.WaitOne(timeout.Value))
        {
            running.Stop();
            throw new TimeoutException($"The example was still running after {timeout.Value.TotalSeconds} s:\n{script}");
        }

        var output = running.EndInvoke(invocation);
        var streams = running.Streams;
        return new ScriptResult(output.ToList(), streams.Error.ToList(), streams.Warning.ToList(), streams.Verbose.ToList(), streams.Progress.ToList());
    }

    private static void WriteFixtures(string folder, IReadOnlyList<PSObject> seed)
    {
        var prompts = File.ReadAllText(Path.Combine(ModuleAssembly.RepoRoot(), "examples", "prompts.csv"));
        foreach (var csv in new[] { "prompts.csv", "catalog.csv", "nightly.csv", "campaign.csv", "examples/prompts.csv" })
        {
            Write(folder, csv, System.Text.Encoding.UTF8.GetBytes(prompts));
        }

        Write(folder, "batch.csv", """
            Name,Prompt,ClientBusinessId
            harbour,A harbour at night with fishing boats,batch-0601-001
            meadow,A meadow of poppies under a storm sky,batch-0601-002
            owl,A snowy owl on a fence post,batch-0601-003
            """u8.ToArray());
        foreach (var (name, bytes) in new[]
        {
            ("refs/cat.jpg", Jpeg(SKColors.Orange)), ("refs/dog.jpg", Jpeg(SKColors.Brown)),
            ("refs/cat.png", SampleImages.Png), ("refs/dog.png", SampleImages.Png), ("refs/logo [final].png", SampleImages.Png),
            ("brand/logo.png", SampleImages.Png), ("product.png", SampleImages.Png), ("kitchen.jpg", Jpeg(SKColors.White)),
        })
        {
            Write(folder, name, bytes);
        }

        var tasks = seed.Select(task => task.BaseObject).OfType<Models.ToApisTask>().ToList();
        Write(folder, "task-ids.txt", System.Text.Encoding.UTF8.GetBytes(string.Join("\n", tasks.Select(t => t.Id))));
        Write(folder, "batch-ids.txt", System.Text.Encoding.UTF8.GetBytes(string.Join("\n", tasks.Select(t => t.ClientBusinessId))));
    }

    private static void Write(string folder, string name, byte[] content)
    {
        var path = Path.Combine(folder, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
    }

    /// <summary>A real 8×8 JPEG, as a camera would give.</summary>
    private static byte[] Jpeg(SKColor color)
    {
        using var bitmap = new SKBitmap(8, 8);
        bitmap.Erase(color);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 80);
        return data.ToArray();
    }
}

public sealed record ExampleRun(ScriptResult Result, bool? CheckPassed);
