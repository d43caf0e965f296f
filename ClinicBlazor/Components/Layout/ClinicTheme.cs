using MudBlazor;

namespace ClinicBlazor.Components.Layout;

/// <summary>The house palette: calm teal for the clinic, readable contrast for long days.</summary>
public static class ClinicTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#00796b",
            Secondary = "#5c6bc0",
            AppbarBackground = "#00695c",
            Background = "#f6f8f8",
            // Darker than MudBlazor's defaults so text and outlines reach 4.5:1 on white and on the
            // page background (the red of "Cancel appointment", labels, secondary text).
            Error = "#c62828",
            ErrorDarken = "#a31f1f",
            TextSecondary = "#4f5b60",
            ActionDefault = "#4f5b60",
            DrawerBackground = "#ffffff",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = ["Inter", "Segoe UI", "Roboto", "Helvetica", "Arial", "sans-serif"] },
        },
    };
}
