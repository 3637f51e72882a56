"""What the features share on the web: request dependencies (settings, session, principal),
templating, security (CSRF, headers), the error mapping and the site-wide pages. It imports no
feature package: the composition root (``rarecare.app``) mounts the features and hands down
their sections and labels."""
