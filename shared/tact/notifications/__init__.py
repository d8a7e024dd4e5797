"""Provider feedback: SES bounces and complaints become suppressions."""
