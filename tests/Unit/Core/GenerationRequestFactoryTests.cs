using ToApis.Client;
using ToApis.Client.Submitting;
using Xunit;

namespace ToApis.Tests.Core;

/// <summary>The request rules, driven without PowerShell or the submit engine.</summary>
public sealed class GenerationRequestFactoryTests
{
    [Fact]
    public void A_plain_prompt_gets_the_default_model_and_nothing_else()
    {
        var warnings = new List<string>();

        var request = GenerationRequestFactory.Build(new GenerationInput { Prompt = "  a fox  " }, warnings);

        Assert.Equal("a fox", request.Prompt);
        Assert.Equal(ModelCatalog.DefaultModel, request.Model);
        Assert.Null(request.Size);
        Assert.Null(request.Count);
        Assert.Empty(warnings);
    }

    [Theory]
    [InlineData("", "Prompt")]
    [InlineData("1024x1024", "Size")]
    public void A_broken_rule_names_the_field(string value, string field)
    {
        var input = field == "Prompt" ? new GenerationInput { Prompt = value } : new GenerationInput { Prompt = "x", Size = value };

        var error = Assert.Throws<ToApisValidationException>(() => GenerationRequestFactory.Build(input, new List<string>()));

        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void ExtraBody_may_not_shadow_a_parameter()
    {
        var input = new GenerationInput { Prompt = "x", ExtraBody = new() { ["Model"] = "other" } };

        var error = Assert.Throws<ToApisValidationException>(() => GenerationRequestFactory.Build(input, new List<string>()));

        Assert.Equal("ExtraBody", error.Field);
    }

    [Fact]
    public void An_undocumented_size_is_a_warning_and_is_sent()
    {
        var warnings = new List<string>();

        var request = GenerationRequestFactory.Build(new GenerationInput { Prompt = "x", Size = "7:3" }, warnings);

        Assert.Equal("7:3", request.Size);
        Assert.Contains(warnings, w => w.Contains("not documented"));
    }

    [Fact]
    public void Output_options_merge_into_given_metadata()
    {
        var input = new GenerationInput
        {
            Prompt = "x",
            Metadata = new() { ["seed"] = 4 },
            OutputMimeType = "image/webp",
            CompressionQuality = 80,
            Temperature = 0.5,
        };

        var request = GenerationRequestFactory.Build(input, new List<string>());

        Assert.Equal(4, request.Metadata["seed"]);
        Assert.Equal(0.5, request.Metadata["temperature"]);
        var options = Assert.IsType<Dictionary<string, object?>>(request.Metadata["imageOutputOptions"]);
        Assert.Equal("image/webp", options["mimeType"]);
        Assert.Equal(80, options["compressionQuality"]);
    }
}
