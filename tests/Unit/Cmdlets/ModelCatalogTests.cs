using System.Management.Automation;
using System.Text.Json;
using ToApis.Client;
using ToApis.Emulator;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Cmdlets;

/// <summary>
/// Every documented model with every documented value at its edges: what may be sent reaches the service exactly as
/// documented (read from the body the emulator received, and accepted by the emulator's own reading of the docs),
/// and what a documented limit forbids is refused before anything is sent.
/// </summary>
public sealed class ModelCatalogTests
{
    private const string Emoji = "\U0001F98A";

    /// <summary>
    /// One row: <see cref="Refusal"/> is null for a row that must be sent, else the parameter its error must name (in
    /// the recommended action) and the words (the value, the allowed values) its message must contain.
    /// </summary>
    private sealed record Case(string Tag, ModelInfo Model, string? Size, int? Count, int References, string Prompt, (string Parameter, string[] Words)? Refusal)
    {
        public string[] Urls => Enumerable.Range(1, References).Select(i => $"https://images.example/{Tag}/{i}.png").ToArray();

        /// <summary>The body a client without local checks would send.</summary>
        public string ToJson() => JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["model"] = Model.Id,
            ["prompt"] = Prompt,
            ["size"] = Size,
            ["n"] = Count,
            ["image_urls"] = References > 0 ? Urls : null,
        }.Where(pair => pair.Value is not null).ToDictionary(pair => pair.Key, pair => pair.Value));

        public PSObject ToRow()
        {
            var row = new PSObject();
            row.Properties.Add(new PSNoteProperty("Prompt", Prompt));
            row.Properties.Add(new PSNoteProperty("Model", Model.Id));
            row.Properties.Add(new PSNoteProperty("Size", Size ?? ""));
            row.Properties.Add(new PSNoteProperty("Count", Count?.ToString() ?? ""));
            row.Properties.Add(new PSNoteProperty("ImageUrl", Urls));
            return row;
        }
    }

    [Fact]
    public async Task Every_documented_value_is_sent_as_documented_and_every_documented_limit_is_refused_locally()
    {
        var cases = Cases().ToList();
        await using var service = await EmulatedService.StartAsync(
            options => options.RateLimitsEnabled = false, EmulatedService.FastRetries + " -SubmitRateLimit 10000");

        var result = service.Run(
            "param($Rows) $Rows | New-ToApisImage -ThrottleLimit 16", new Dictionary<string, object> { ["Rows"] = cases.Select(c => c.ToRow()).ToArray() });

        var bodies = service.Emulator.Stats.SubmitBodies.ToDictionary(b => JsonDocument.Parse(b.Json).RootElement.GetProperty("prompt").GetString()!);
        var notAboutARow = result.Errors.Where(e => e.TargetObject is not PSObject).Select(e => e.Exception.Message);
        Assert.Empty(notAboutARow);
        var errors = result.Errors.ToDictionary(e => (string)((PSObject)e.TargetObject).Properties["Prompt"].Value);
        Assert.Empty(result.Warnings);
        Assert.True(cases.Count(c => c.Refusal is null) > 300, "the table covers every documented value");
        foreach (var sent in cases.Where(c => c.Refusal is null))
        {
            Assert.False(errors.ContainsKey(sent.Prompt), $"{sent.Tag} ({sent.Model.Id}) failed: {(errors.TryGetValue(sent.Prompt, out var e) ? e.Exception.Message : "")}");
            Assert.True(bodies.TryGetValue(sent.Prompt, out var body), $"{sent.Tag} ({sent.Model.Id}) was not sent");
            AssertSentAsDocumented(sent, body!);
        }

        foreach (var refused in cases.Where(c => c.Refusal is not null))
        {
            Assert.False(bodies.ContainsKey(refused.Prompt), $"{refused.Tag} ({refused.Model.Id}) was sent although a documented limit forbids it");
            var error = ErrorAssert.Is(errors[refused.Prompt], "ToApis.InvalidParameter", ErrorCategory.InvalidArgument);
            Assert.Contains(refused.Refusal!.Value.Parameter, error.ErrorDetails.RecommendedAction);
            // The row prefix lower-cases the cause's first letter ("Row 12: count 2 is not allowed ...").
            Assert.All(refused.Refusal!.Value.Words, words => Assert.Contains(words, error.Exception.Message, StringComparison.OrdinalIgnoreCase));
        }

        Assert.Equal(cases.Count(c => c.Refusal is null), service.Emulator.Stats.TasksCreated);

        // The stand-in must be as strict as the docs, or this test could pass against a lenient one.
        using var http = new HttpClient { BaseAddress = service.Emulator.BaseUri };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", service.Emulator.ApiKey);
        foreach (var refused in cases.Where(c => c.Refusal is not null))
        {
            var answer = await http.PostAsync(
                refused.Model.RequiresReference ? "v1/images/edits" : "v1/images/generations",
                new StringContent(refused.ToJson(), System.Text.Encoding.UTF8, "application/json"));
            Assert.True(answer.StatusCode == System.Net.HttpStatusCode.BadRequest, $"the emulator accepted {refused.Tag} ({refused.Model.Id}, size {refused.Size}, n {refused.Count}, {refused.References} reference(s), {refused.Prompt.Length} UTF-16 units)");
        }

        Assert.Equal(cases.Count(c => c.Refusal is null), service.Emulator.Stats.TasksCreated);
    }

    private static void AssertSentAsDocumented(Case sent, SubmittedBody received)
    {
        var body = JsonDocument.Parse(received.Json).RootElement;
        var fields = body.EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Equal(sent.Model.RequiresReference ? "/v1/images/edits" : "/v1/images/generations", received.Path);
        Assert.Equal(sent.Model.Id, body.GetProperty("model").GetString());
        Assert.StartsWith("toapis-ps-", body.GetProperty("client_business_id").GetString());
        if (sent.Size is null)
        {
            Assert.DoesNotContain("size", fields);
        }
        else
        {
            Assert.Equal(sent.Size, body.GetProperty("size").GetString());
        }

        if (sent.Count is { } count)
        {
            Assert.Equal(JsonValueKind.Number, body.GetProperty("n").ValueKind);
            Assert.Equal(count, body.GetProperty("n").GetInt32());
        }
        else
        {
            Assert.DoesNotContain("n", fields);
        }

        if (sent.References == 0)
        {
            Assert.DoesNotContain("image_urls", fields);
        }
        else
        {
            Assert.Equal(sent.Urls, body.GetProperty("image_urls").EnumerateArray().Select(url => url.GetString()));
        }

        // The edit route documents model, prompt, image_urls and n (client_business_id makes a lost answer safe to
        // retry); generations take a metadata object.
        if (sent.Model.RequiresReference)
        {
            var expected = new[] { "client_business_id", "image_urls", "model", "prompt" }.Concat(sent.Count is null ? Array.Empty<string>() : new[] { "n" });
            Assert.Equal(expected.OrderBy(f => f, StringComparer.Ordinal), fields.OrderBy(f => f, StringComparer.Ordinal));
        }
        else
        {
            Assert.Equal(JsonValueKind.Object, body.GetProperty("metadata").ValueKind);
        }
    }

    private static IEnumerable<Case> Cases()
    {
        var number = 0;
        Case Make(ModelInfo model, string? size = null, int? count = null, int? references = null, int? promptLength = null, (string, string[])? refusal = null)
        {
            var tag = $"case{++number}";
            var prompt = promptLength is { } length ? tag + " " + new string('x', length - tag.Length - 2) + Emoji : $"{tag} a lighthouse";
            return new Case(tag, model, size, count, references ?? (model.RequiresReference ? 1 : 0), prompt, refusal);
        }

        foreach (var model in ModelCatalog.Documented)
        {
            foreach (var size in model.Sizes)
            {
                yield return Make(model, size, references: model.ReferenceOnlySizes.Contains(size) || model.RequiresReference ? 1 : 0);
            }

            foreach (var count in model.Counts ?? Array.Empty<int>())
            {
                yield return Make(model, count: count);
            }

            if (model.MaxReferenceImages is { } maxReferences and > 0)
            {
                yield return Make(model, references: maxReferences);
            }

            if (model.MaxPromptLength is { } maxLength)
            {
                yield return Make(model, promptLength: maxLength);
                yield return Make(model, promptLength: maxLength + 1, refusal: ("Prompt", new[] { $"{maxLength + 1} characters", $"at most {maxLength}" }));
            }

            if (model.Counts is { } counts)
            {
                var notAllowed = Enumerable.Range(1, counts.Max() + 1).First(n => !counts.Contains(n));
                yield return Make(model, count: notAllowed, refusal: ("Count", new[] { $"Count {notAllowed}", model.Id, ModelCatalog.DescribeCounts(counts) }));
            }

            if (model.MaxReferenceImages is { } max)
            {
                yield return Make(model, references: max + 1, refusal: ("ImageUrl", max == 0
                    ? new[] { "takes no reference images", $"{max + 1} given" }
                    : new[] { $"{max + 1} reference images", $"at most {max}" }));
            }

            if (model.RequiresReference)
            {
                yield return Make(model, references: 0, refusal: ("ImageUrl", new[] { model.Id, "at least one reference image" }));
            }

            foreach (var size in model.ReferenceOnlySizes)
            {
                yield return Make(model, size, references: 0, refusal: ("Size", new[] { $"'{size}'", "needs a reference image" }));
            }

            if (model.MaxReferencesPlusImages is { } total && model.MaxReferenceImages is { } references)
            {
                yield return Make(model, count: total - references, references: references);
                yield return Make(model, count: total - references + 1, references: references, refusal: ("Count", new[] { $"make {total + 1}", $"at most {total}" }));
            }
        }
    }
}
