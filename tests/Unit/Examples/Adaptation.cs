namespace ToApis.Tests.Examples;

/// <summary>
/// What one example needs besides the common <see cref="ExampleWorkspace"/>: a script run first in the same
/// runspace and folder (files or variables it assumes), text replaced in the example (each must still occur),
/// the error ids its sample output shows, and a check that it did what it says (for examples whose refusals
/// are silenced with -ErrorAction SilentlyContinue).
/// </summary>
internal sealed record Adaptation(
    string? Prelude = null,
    Dictionary<string, string>? Replacements = null,
    string[]? ExpectedErrors = null,
    string? PreludeExample = null,
    string? Check = null)
{
    public string[] ExpectedErrors { get; } = ExpectedErrors ?? [];

    /// <summary>A journaled run of prompts.csv into ./run.jsonl and ./out, for examples that read a run's journal.</summary>
    public const string JournaledRun = """
        Import-Csv ./prompts.csv | New-ToApisImage -RunKey 'catalog-2026-11' -Journal ./run.jsonl |
            Wait-ToApisTask -Journal ./run.jsonl | Save-ToApisImage -Path ./out -FileName '{Name}' -Journal ./run.jsonl | Out-Null
        """;

    /// <summary>
    /// A delivery as ToAPIs signs it, for examples that receive one: $body (an event of <paramref name="type"/>;
    /// generation.completed is the first $seed task, with its image on the emulator's files host), $headers,
    /// $Request (as the Azure Functions host gives it: RawBody and Headers), $WebhookSecret (also the default
    /// -Secret of ConvertFrom-ToApisWebhook, in place of $env:TOAPIS_WEBHOOK_SECRET) and $oldSecret (a secret
    /// rotated away).
    /// </summary>
    public static string WebhookDelivery(string type = "generation.completed") => $$"""
        $global:WebhookSecret = 'whsec_examples_0123456789abcdef'
        $global:oldSecret = 'whsec_rotated_away_0000000000000000'
        $global:PSDefaultParameterValues['ConvertFrom-ToApisWebhook:Secret'] = $WebhookSecret
        $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
        $task = $seed[0]
        $data = if ('{{type}}' -eq 'endpoint.test') { @{ result = @{ message = 'ToAPIs webhook endpoint test' } } }
            else { [ordered]@{ task_id = $task.Id; client_business_id = $task.ClientBusinessId; status = 'SUCCESS'; progress = '100%'
                result = @{ type = 'image'; data = @(@{ url = $task.ImageUrls[0] }) }; error = $null; submitted_at = $now; finished_at = $now } }
        $eventId = "evt_$([guid]::NewGuid().ToString('N'))"
        $global:body = [ordered]@{ id = $eventId; type = '{{type}}'; api_version = 'v1'; created_at = $now; data = $data } | ConvertTo-Json -Depth 6 -Compress
        $hmac = [System.Security.Cryptography.HMACSHA256]::new([System.Text.Encoding]::UTF8.GetBytes($WebhookSecret))
        $signature = [System.Convert]::ToHexString($hmac.ComputeHash([System.Text.Encoding]::UTF8.GetBytes("$eventId.$now.$body"))).ToLowerInvariant()
        $global:headers = @{ 'x-toapis-webhook-id' = $eventId; 'x-toapis-webhook-timestamp' = "$now"; 'x-toapis-webhook-signature' = "v1=$signature" }
        $global:Request = [pscustomobject]@{ RawBody = $body; Headers = $headers }
        """;
}
