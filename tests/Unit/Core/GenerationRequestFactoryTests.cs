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

    [Fact]
    public void An_empty_prompt_is_refused_naming_the_prompt()
    {
        var error = Assert.Throws<ToApisValidationException>(() => GenerationRequestFactory.Build(new GenerationInput { Prompt = " " }, new List<string>()));

        Assert.Equal("Prompt", error.Field);
    }

    /// <summary>Sizes are never refused (models gain sizes): pixels and undocumented values are warned about and sent.</summary>
    [Theory]
    [InlineData("gemini-2.5-flash-image-official", "1024x1024", "not pixels")]
    [InlineData("doubao-seedream-5-0-pro", "1920x1080", "1K and 2K with layer_decomposition")]
    [InlineData("some-new-model", "1024x1024", "looks like pixels")]
    public void A_size_outside_the_documented_list_is_a_warning_naming_the_documented_values(string model, string size, string hint)
    {
        var warnings = new List<string>();

        var request = GenerationRequestFactory.Build(new GenerationInput { Prompt = "x", Model = model, Size = size }, warnings);

        Assert.Equal(size, request.Size);
        var warning = Assert.Single(warnings);
        Assert.Contains($"'{size}'", warning);
        Assert.Contains(hint, warning);
        if (ModelCatalog.Find(model) is { } info)
        {
            Assert.Contains(string.Join(", ", info.Sizes), warning);
        }
    }

    [Theory]
    [InlineData("1K", null)]
    [InlineData(null, "2K")]
    [InlineData("2K", "2K")]
    public void Seedream_5_pro_takes_1K_and_2K_from_Size_or_ExtraBody_without_a_warning(string? size, string? extraSize)
    {
        var warnings = new List<string>();
        var extra = new Dictionary<string, object?> { ["layer_decomposition"] = true };
        if (extraSize is not null)
        {
            extra["size"] = extraSize;
        }

        var request = GenerationRequestFactory.Build(new GenerationInput { Prompt = "x", Model = "doubao-seedream-5-0-pro", Size = size, ExtraBody = extra }, warnings);

        Assert.Equal(size ?? extraSize, request.Size);
        Assert.False(request.ExtraBody.ContainsKey("size"));
        Assert.Empty(warnings);
    }

    [Fact]
    public void Size_and_ExtraBody_size_that_disagree_are_refused_naming_both()
    {
        var input = new GenerationInput { Prompt = "x", Size = "1:1", ExtraBody = new() { ["size"] = "16:9" } };

        var error = Assert.Throws<ToApisValidationException>(() => GenerationRequestFactory.Build(input, new List<string>()));

        Assert.Equal("Size", error.Field);
        Assert.Contains("'1:1'", error.Message);
        Assert.Contains("'16:9'", error.Message);
    }

    /// <summary>The docs count characters, not UTF-16 units: an emoji (a surrogate pair) is one character.</summary>
    [Fact]
    public void Prompt_limits_count_each_unicode_character_once()
    {
        var emoji = "\U0001F98A";
        var atTheLimit = new string('x', 999) + emoji;
        var manyEmoji = string.Concat(Enumerable.Repeat(emoji, 600));

        GenerationRequestFactory.Build(new GenerationInput { Prompt = atTheLimit, Model = "gpt-4o-image" }, new List<string>());
        GenerationRequestFactory.Build(new GenerationInput { Prompt = manyEmoji, Model = "gpt-4o-image" }, new List<string>());
        var error = Assert.Throws<ToApisValidationException>(() =>
            GenerationRequestFactory.Build(new GenerationInput { Prompt = atTheLimit + emoji, Model = "gpt-4o-image" }, new List<string>()));

        Assert.Contains("1001 characters", error.Message);
        Assert.Contains("at most 1000", error.Message);
    }

    [Theory]
    [InlineData("gpt-4o-image", "3", "1, 2 or 4")]
    [InlineData("grok-4-1-image", "3", "1, 2 or 4")]
    [InlineData("grok-4-2-image", "5", "1, 2 or 4")]
    [InlineData("gpt-image-2", "11", "1 to 10")]
    [InlineData("doubao-seedream-4-5", "16", "1 to 15")]
    [InlineData("vidu-image", "2", "only 1")]
    public void A_count_the_model_does_not_take_is_refused_naming_the_allowed_values(string model, string count, string allowed)
    {
        var input = new GenerationInput { Prompt = "x", Model = model, Count = count };

        var error = Assert.Throws<ToApisValidationException>(() => GenerationRequestFactory.Build(input, new List<string>()));

        Assert.Equal("Count", error.Field);
        Assert.Contains($"Count {count}", error.Message);
        Assert.Contains(model, error.Message);
        Assert.Contains(allowed, error.Message);
        Assert.DoesNotContain("at most", error.Message);
    }

    [Theory]
    [InlineData("data:image/png;base64,iVBORw0KGgo=")]
    [InlineData("cat.png")]
    public void Reference_images_in_ExtraBody_must_be_http_urls(string value)
    {
        var input = new GenerationInput { Prompt = "x", Model = "gpt-image-2", ExtraBody = new() { ["reference_images"] = new List<object?> { "https://a/1.png", value } } };

        var error = Assert.Throws<ToApisValidationException>(() => GenerationRequestFactory.Build(input, new List<string>()));

        Assert.Equal("ExtraBody", error.Field);
        Assert.Contains("reference_images", error.Message);
        Assert.Contains(value.Substring(0, 7), error.Message);
    }

    [Fact]
    public void Reference_images_are_counted_with_image_urls_and_local_files()
    {
        var tenEach = Enumerable.Range(1, 8).Select(i => $"https://a/{i}.png").ToList();
        var input = new GenerationInput
        {
            Prompt = "x", Model = "gpt-image-2", ImageUrls = tenEach, LocalImages = new[] { ("cat.png", ImageFormats.Png) },
            ExtraBody = new() { ["reference_images"] = tenEach.Cast<object?>().ToList() },
        };

        var error = Assert.Throws<ToApisValidationException>(() => GenerationRequestFactory.Build(input, new List<string>()));

        Assert.Contains("17 reference images", error.Message);
        Assert.Contains("at most 16", error.Message);
    }

    [Fact]
    public void A_single_reference_image_is_sent_as_a_list_of_strings()
    {
        var warnings = new List<string>();

        var request = GenerationRequestFactory.Build(
            new GenerationInput { Prompt = "x", Model = "gpt-image-2", ExtraBody = new() { ["reference_images"] = "https://a/1.png" } }, warnings);

        Assert.Equal(new[] { "https://a/1.png" }, Assert.IsType<List<string>>(request.ExtraBody["reference_images"]));
        Assert.Empty(warnings);
    }

    [Theory]
    [InlineData("grok-imagine-1.0-edit", null, null, "ImageUrl", "at least one reference image")]
    [InlineData("doubao-seedream-4-0", "auto", null, "Size", "needs a reference image")]
    [InlineData("flux-kontext-pro", "match_input_image", null, "Size", "needs a reference image")]
    [InlineData("flux-kontext-max", null, 2, "ImageUrl", "at most 1")]
    [InlineData("grok-imagine-1.0", null, 1, "ImageUrl", "takes no reference images")]
    public void Documented_reference_rules_are_checked_before_sending(string model, string? size, int? references, string field, string message)
    {
        var urls = Enumerable.Range(1, references ?? 0).Select(i => $"https://a/{i}.png").ToList();
        var input = new GenerationInput { Prompt = "x", Model = model, Size = size, ImageUrls = urls };

        var error = Assert.Throws<ToApisValidationException>(() => GenerationRequestFactory.Build(input, new List<string>()));

        Assert.Equal(field, error.Field);
        Assert.Contains(message, error.Message);
    }

    [Theory]
    [InlineData("doubao-seedream-4-5", "WebP", "JPEG or PNG")]
    [InlineData("gemini-2.5-flash-image-official", "GIF", "JPEG, PNG or WebP")]
    public void A_local_reference_of_a_type_the_model_does_not_take_is_refused_naming_the_file(string model, string type, string allowed)
    {
        var format = new[] { ImageFormats.WebP, ImageFormats.Gif }.Single(f => f.Name == type);
        var input = new GenerationInput { Prompt = "x", Model = model, LocalImages = new[] { ("a.png", ImageFormats.Png), ("b.img", format) } };

        var error = Assert.Throws<ToApisValidationException>(() => GenerationRequestFactory.Build(input, new List<string>()));
        GenerationRequestFactory.Build(new GenerationInput { Prompt = "x", Model = "gpt-image-2", LocalImages = input.LocalImages }, new List<string>());

        Assert.Equal("ImagePath", error.Field);
        Assert.Contains($"'b.img' is a {type} image", error.Message);
        Assert.Contains(allowed, error.Message);
    }

    [Fact]
    public void Seedream_4_counts_references_and_outputs_together()
    {
        var urls = Enumerable.Range(1, 10).Select(i => $"https://a/{i}.png").ToList();

        GenerationRequestFactory.Build(new GenerationInput { Prompt = "x", Model = "doubao-seedream-4-0", ImageUrls = urls, Count = "5" }, new List<string>());
        var error = Assert.Throws<ToApisValidationException>(() =>
            GenerationRequestFactory.Build(new GenerationInput { Prompt = "x", Model = "doubao-seedream-4-0", ImageUrls = urls, Count = "6" }, new List<string>()));

        Assert.Equal("Count", error.Field);
        Assert.Contains("make 16", error.Message);
        Assert.Contains("at most 15", error.Message);
    }

    [Fact]
    public void A_client_business_id_in_metadata_becomes_the_tasks_id()
    {
        var request = GenerationRequestFactory.Build(
            new GenerationInput { Prompt = "x", Metadata = new() { ["client_business_id"] = "order-7" } }, new List<string>());

        Assert.Equal("order-7", request.ClientBusinessId);
        Assert.Equal("order-7", request.Metadata["client_business_id"]);
        var error = Assert.Throws<ToApisValidationException>(() => GenerationRequestFactory.Build(
            new GenerationInput { Prompt = "x", ClientBusinessId = "order-8", Metadata = new() { ["client_business_id"] = "order-7" } }, new List<string>()));
        Assert.Equal("ClientBusinessId", error.Field);
    }

    [Fact]
    public void The_edit_model_warns_about_fields_its_route_does_not_document_and_sends_no_empty_metadata()
    {
        var warnings = new List<string>();

        var request = GenerationRequestFactory.Build(
            new GenerationInput { Prompt = "x", Model = "grok-imagine-1.0-edit", Size = "1:1", ImageUrls = new[] { "https://a/1.png" }, ClientBusinessId = "edit-1" },
            warnings);

        Assert.Equal("v1/images/edits", request.Path);
        Assert.Contains("-Size '1:1'", Assert.Single(warnings));
        var body = System.Text.Json.JsonDocument.Parse(request.ToJson()).RootElement;
        Assert.Equal(
            new[] { "client_business_id", "image_urls", "model", "prompt", "size" },
            body.EnumerateObject().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal));
    }

    [Fact]
    public void A_model_missing_from_the_accounts_list_is_refused_with_close_names_unless_the_check_is_skipped()
    {
        var available = new[] { "gpt-4o-image", "gpt-image-2", "doubao-seedream-4-0" };

        var error = Assert.Throws<ToApisValidationException>(() =>
            GenerationRequestFactory.Build(new GenerationInput { Prompt = "x", Model = "gpt-4o-imag", AvailableModels = available }, new List<string>()));
        var request = GenerationRequestFactory.Build(
            new GenerationInput { Prompt = "x", Model = "gpt-4o-imag", AvailableModels = available, SkipModelCheck = true }, new List<string>());
        var unlisted = GenerationRequestFactory.Build(new GenerationInput { Prompt = "x", Model = "brand-new-model" }, new List<string>());
        var alias = GenerationRequestFactory.Build(
            new GenerationInput { Prompt = "x", Model = "nano-banana", AvailableModels = new[] { "gemini-2.5-flash-image-preview" } }, new List<string>());

        Assert.Equal("Model", error.Field);
        Assert.Contains("'gpt-4o-imag'", error.Message);
        Assert.Contains("Did you mean gpt-4o-image", error.Message);
        Assert.Contains("-SkipModelCheck", error.Message);
        Assert.Equal("gpt-4o-imag", request.Model);
        Assert.Equal("brand-new-model", unlisted.Model);
        Assert.Equal("nano-banana", alias.Model);
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
